package dev.hearth.guard.explain;

import java.util.List;
import java.util.Map;

/**
 * Everything said about one prediction: what was explained, the attributions of each method,
 * and for images the per-pixel maps and for transformers the attention maps. Written as
 * explanation.json and drawn by {@link ExplanationPage}.
 *
 * @param kind         {@code language_model}, {@code text_classifier}, {@code image} or {@code tabular}
 * @param model        where the model came from (its folder)
 * @param subject      what was explained, in words (the prompt, the image, the row)
 * @param target       the explained output's index
 * @param targetName   the explained output in words (the token, the class)
 * @param probability  the model's probability of the target
 * @param inputValues  the input's value of each feature as shown to a person (tabular rows), or null
 * @param attributions one per method
 * @param image        the image and its per-pixel maps, or null
 * @param attention    per layer, (heads, time, time) attention probabilities, or null
 */
public record Explanation(String kind, String model, String subject, int target, String targetName, double probability,
                          List<String> inputValues, List<Attribution> attributions, Image image,
                          List<float[][][]> attention) {

    public Explanation {
        attributions = List.copyOf(attributions);
        inputValues = inputValues == null ? null : List.copyOf(inputValues);
        attention = attention == null ? null : List.copyOf(attention);
    }

    /**
     * An image (row-major, values in [0, 1]) and, per method, one attribution per pixel.
     */
    public record Image(int height, int width, float[] pixels, Map<String, double[]> pixelMaps) {
        public Image {
            if (pixels.length != height * width) {
                throw new ExplainException(pixels.length + " pixels for a " + height + " x " + width + " image");
            }
            pixelMaps = Map.copyOf(pixelMaps);
            for (Map.Entry<String, double[]> e : pixelMaps.entrySet()) {
                if (e.getValue().length != pixels.length) {
                    throw new ExplainException("the " + e.getKey() + " map has " + e.getValue().length + " values for "
                            + pixels.length + " pixels");
                }
            }
        }
    }
}
