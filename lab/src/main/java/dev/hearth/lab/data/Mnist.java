package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style images and labels in the IDX format (optionally gzipped): a big-endian
 * header (magic 2051 for images with count, rows and columns; 2049 for labels with count) and
 * then one unsigned byte per pixel or label. Pixels are scaled to [0, 1].
 */
public final class Mnist {
    private Mnist() {}

    public static final String TEST_IMAGES = "mnist-t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "mnist-t10k-labels-idx1-ubyte.gz";

    /** Reads the image and label files as one set, checking that they agree. */
    public static ImageSet read(String name, Path images, Path labels) {
        float[] pixels;
        int count;
        int rows;
        int cols;
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != 2051) {
                throw new HearthException(images + " is not an IDX image file: magic number " + magic + ", expected 2051");
            }
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new HearthException(images + ": implausible header (" + count + " images of " + rows + "x" + cols + ")");
            }
            byte[] raw = new byte[count * rows * cols];
            readFully(in, raw, images, "pixels of " + count + " images of " + rows + "x" + cols);
            pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xFF) / 255f;
            }
        } catch (IOException e) {
            throw new HearthException("cannot read " + images + ": " + e.getMessage(), e);
        }
        int[] labelValues;
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != 2049) {
                throw new HearthException(labels + " is not an IDX label file: magic number " + magic + ", expected 2049");
            }
            int n = in.readInt();
            if (n != count) {
                throw new HearthException(labels + " holds " + n + " labels but " + images + " holds " + count + " images");
            }
            byte[] raw = new byte[n];
            readFully(in, raw, labels, n + " labels");
            labelValues = new int[n];
            int max = 0;
            for (int i = 0; i < n; i++) {
                labelValues[i] = raw[i] & 0xFF;
                max = Math.max(max, labelValues[i]);
            }
            return new ImageSet(name, pixels, labelValues, count, rows, cols, Math.max(10, max + 1));
        } catch (IOException e) {
            throw new HearthException("cannot read " + labels + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new HearthException("file not found: " + file);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw;
        return new DataInputStream(in);
    }

    private static void readFully(DataInputStream in, byte[] into, Path file, String what) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new HearthException(file + " is truncated: it ends before the " + what + " its header announces");
        }
    }
}
