package dev.hearth.lab.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

    private static int jdkFirstInvalid(byte[] b) {
        // the JDK's strict decoder as the reference: the longest valid prefix
        for (int n = b.length; n >= 0; n--) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, n));
                return n == b.length ? -1 : n;
            } catch (CharacterCodingException e) {
                // shorter
            }
        }
        return 0;
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        Random rnd = new Random(7);
        byte[][] pieces = {"a".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8),
            "中".getBytes(StandardCharsets.UTF_8), "😀".getBytes(StandardCharsets.UTF_8),
            {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80,
                (byte) 0x80}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE4},
            "plain ascii text!".getBytes(StandardCharsets.UTF_8)};
        for (int t = 0; t < 3000; t++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                byte[] p = pieces[rnd.nextInt(pieces.length)];
                if (rnd.nextInt(4) > 0) {
                    p = pieces[rnd.nextInt(4)];
                }
                out.writeBytes(p);
            }
            byte[] b = out.toByteArray();
            int expected = jdkFirstInvalid(b);
            int got = Utf8.firstInvalid(b, 0, b.length);
            if (expected < 0) {
                assertThat(got).isEqualTo(-1);
                assertThat(Utf8.utf16Length(b, 0, b.length)).isEqualTo(new String(b, StandardCharsets.UTF_8).length());
            } else {
                assertThat(got).as(java.util.HexFormat.of().formatHex(b)).isEqualTo(expected);
            }
        }
    }

    @Test
    void countsEncodedLengthsAndSurrogates() {
        String s = "aé中😀";
        assertThat(Utf8.encodedLength(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        assertThat(Utf8.firstUnpairedSurrogate(s)).isEqualTo(-1);
        assertThat(Utf8.firstUnpairedSurrogate("ab\uD800c")).isEqualTo(2);
        assertThat(Utf8.firstUnpairedSurrogate("\uDC00")).isZero();
        byte[] head = {'a', (byte) 0xE4, (byte) 0xB8};   // a character cut by the end of a prefix is not invalid
        assertThat(Utf8.invalidBytes(head, 0, head.length)).isZero();
        assertThat(Utf8.firstInvalid(head, 0, head.length)).isEqualTo(1);
    }
}
