package dev.hearth.lab.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowReaderTest {

    private static List<List<String>> rows(String csv, char delimiter) throws IOException {
        return rows(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), delimiter);
    }

    private static List<List<String>> rows(InputStream in, char delimiter) throws IOException {
        CsvRowReader r = new CsvRowReader(in, 0, delimiter);
        List<List<String>> out = new ArrayList<>();
        while (r.next()) {
            List<String> row = new ArrayList<>();
            for (int f = 0; f < r.fieldCount(); f++) {
                row.add(new String(r.bytes(), r.start(f), r.length(f), StandardCharsets.UTF_8));
            }
            if (r.error() != null) {
                row.add("ERROR: " + r.error());
            }
            out.add(row);
        }
        return out;
    }

    @Test
    void readsRfc4180() throws IOException {
        assertThat(rows("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,\r\n", ','))
                .containsExactly(List.of("a", "b", "c"), List.of("1", "x, y", "say \"hi\""), List.of("multi\nline", "", ""));
        assertThat(rows("a,b\n1,2", ',')).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(rows("a,b\n\n\r\n1,2\n", ',')).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(rows("a\tb\nx y\t\"q\tq\"\n", '\t')).containsExactly(List.of("a", "b"), List.of("x y", "q\tq"));
        assertThat(rows("a,b\nit's \"fine\",2\n", ',')).containsExactly(List.of("a", "b"), List.of("it's \"fine\"", "2"));
        assertThat(rows("", ',')).isEmpty();
        assertThat(rows("\"\"\n", ',')).containsExactly(List.of(""));
    }

    @Test
    void reportsBrokenQuotingAndRecovers() throws IOException {
        assertThat(rows("a,b\n\"x\"y,2\n3,4\n", ',')).containsExactly(List.of("a", "b"),
                List.of("x", "ERROR: a quoted field is followed by 'y' on line 2 instead of a delimiter or the end of the"
                        + " line"),
                List.of("3", "4"));
        assertThat(rows("a\n\"open\nmore", ',')).element(1).asString().contains("never closed");
    }

    @Test
    void readsAcrossBufferBoundariesOneByteAtATime() throws IOException {
        String csv = "text,n\n" + "\"long, quoted\nfield\",1\r\n".repeat(5000);
        InputStream trickle = new TrickleInputStream(csv.getBytes(StandardCharsets.UTF_8));
        List<List<String>> rows = rows(trickle, ',');
        assertThat(rows).hasSize(5001);
        assertThat(rows.get(4321)).containsExactly("long, quoted\nfield", "1");
    }
}
