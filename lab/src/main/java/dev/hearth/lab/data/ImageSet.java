package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Tensor;

/**
 * Labelled grey images: {@code pixels} holds {@code count} images of {@code height x width}
 * values in [0, 1], row-major, one after another; {@code labels} one class per image.
 */
public record ImageSet(String name, float[] pixels, int[] labels, int count, int height, int width, int classes) {

    public ImageSet {
        if (pixels.length != (long) count * height * width || labels.length != count) {
            throw new HearthException("image set '" + name + "': " + count + " images of " + height + "x" + width
                    + " need " + ((long) count * height * width) + " pixels and " + count + " labels, got "
                    + pixels.length + " and " + labels.length);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new HearthException("image set '" + name + "': label " + labels[i] + " of image " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
    }

    /** Images {@code [from, to)} as a new set. */
    public ImageSet range(String newName, int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new HearthException("image set '" + name + "' has " + count + " images; cannot take " + from + ".."
                    + to);
        }
        int px = height * width;
        float[] p = java.util.Arrays.copyOfRange(pixels, from * px, to * px);
        int[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new ImageSet(newName, p, l, to - from, height, width, classes);
    }

    /** The images at {@code indices[from..to)} as a (n, 1, height, width) tensor, and their labels. */
    public Batch batch(int[] indices, int from, int to) {
        int px = height * width;
        int n = to - from;
        float[] p = new float[n * px];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            int src = indices[from + i];
            System.arraycopy(pixels, src * px, p, i * px, px);
            l[i] = labels[src];
        }
        return new Batch(Tensor.of(p, n, 1, height, width), l);
    }

    /** A batch of images (n, 1, height, width) and their labels. */
    public record Batch(Tensor images, int[] labels) {}
}
