package dev.hearth.lab.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Test files and the decoding of prepared datasets, for the data tests. */
final class DataFiles {
    private DataFiles() {}

    static Path write(Path file, String text) {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path gzip(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** All ids of a split. */
    static int[] ids(TokenDataset data, String split) {
        TokenSplit s = data.split(split);
        int[] ids = new int[(int) s.size()];
        s.read(0, ids, 0, ids.length);
        return ids;
    }

    /** The documents of a split, cut at the separator and decoded. */
    static List<String> documents(TokenDataset data, String split) {
        int sep = data.separatorId();
        int[] ids = ids(data, split);
        List<String> docs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == sep) {
                docs.add(data.tokenizer().decode(Arrays.copyOfRange(ids, start, i)));
                start = i + 1;
            }
        }
        if (start != ids.length) {
            throw new AssertionError("the " + split + " split does not end with the separator");
        }
        return docs;
    }

    /** Every document of both splits, train first. */
    static List<String> allDocuments(Path dir) {
        try (TokenDataset data = TokenDataset.open(dir)) {
            List<String> all = new ArrayList<>(documents(data, "train"));
            all.addAll(documents(data, "val"));
            return all;
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines "document 0 ...", "document 1 ..." with some variety, for split tests. */
    static String numberedLines(String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(prefix).append(' ').append(i).append(" the quick brown fox ").append(i % 7 == 0 ? "jumps" : "sleeps")
                    .append('\n');
        }
        return sb.toString();
    }
}
