package dev.hearth.lab.data;

import dev.hearth.engine.tensor.Rng;

/**
 * Seven-segment digits drawn with random size, position, slant, stroke width and noise on a
 * 28x28 canvas: a labelled image set that needs no download, for demos and tests on machines
 * without MNIST. A seed fixes every image.
 */
public final class SyntheticDigits {
    private SyntheticDigits() {}

    public static final int SIDE = 28;

    // Segments a..g as (x0, y0, x1, y1) in a unit box, y pointing down.
    private static final float[][] SEGMENTS = {
        {0, 0, 1, 0}, {1, 0, 1, 0.5f}, {1, 0.5f, 1, 1}, {0, 1, 1, 1}, {0, 0.5f, 0, 1}, {0, 0, 0, 0.5f}, {0, 0.5f, 1, 0.5f}};

    // Which segments (bits a=0 .. g=6) each digit lights.
    private static final int[] DIGITS = {
        0b0111111, 0b0000110, 0b1011011, 0b1001111, 0b1100110, 0b1101101, 0b1111101, 0b0000111, 0b1111111, 0b1101111};

    public static ImageSet generate(String name, int count, long seed) {
        Rng rng = new Rng(seed);
        float[] pixels = new float[count * SIDE * SIDE];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int digit = rng.nextInt(10);
            labels[i] = digit;
            draw(digit, rng, pixels, i * SIDE * SIDE);
        }
        return new ImageSet(name, pixels, labels, count, SIDE, SIDE, 10);
    }

    private static void draw(int digit, Rng rng, float[] out, int at) {
        float w = 7 + 6 * rng.nextFloat();
        float h = 14 + 7 * rng.nextFloat();
        float cx = SIDE / 2f + (rng.nextFloat() - 0.5f) * 6;
        float cy = SIDE / 2f + (rng.nextFloat() - 0.5f) * 4;
        float slant = (rng.nextFloat() - 0.5f) * 0.6f;
        float stroke = 1.2f + 1.3f * rng.nextFloat();
        float[][] seg = new float[7][];
        int n = 0;
        for (int s = 0; s < 7; s++) {
            if ((DIGITS[digit] >> s & 1) == 0) {
                continue;
            }
            float[] u = SEGMENTS[s];
            seg[n++] = new float[] {
                cx + (u[0] - 0.5f) * w + slant * (0.5f - u[1]) * h, cy + (u[1] - 0.5f) * h,
                cx + (u[2] - 0.5f) * w + slant * (0.5f - u[3]) * h, cy + (u[3] - 0.5f) * h};
        }
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float px = x + 0.5f;
                float py = y + 0.5f;
                float best = Float.MAX_VALUE;
                for (int k = 0; k < n; k++) {
                    best = Math.min(best, distance(px, py, seg[k]));
                }
                float ink = Math.clamp(stroke / 2 + 0.5f - best, 0f, 1f);
                float noisy = ink + (float) rng.nextGaussian() * 0.05f;
                out[at + y * SIDE + x] = Math.clamp(noisy, 0f, 1f);
            }
        }
    }

    /** Distance from (px, py) to the segment (x0, y0)-(x1, y1). */
    private static float distance(float px, float py, float[] s) {
        float dx = s[2] - s[0];
        float dy = s[3] - s[1];
        float len2 = dx * dx + dy * dy;
        float t = len2 == 0 ? 0 : Math.clamp(((px - s[0]) * dx + (py - s[1]) * dy) / len2, 0f, 1f);
        float ex = s[0] + t * dx - px;
        float ey = s[1] + t * dy - py;
        return (float) Math.sqrt(ex * ex + ey * ey);
    }
}
