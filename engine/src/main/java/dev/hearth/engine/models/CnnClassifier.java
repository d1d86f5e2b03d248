package dev.hearth.engine.models;

import dev.hearth.engine.nn.Activation;
import dev.hearth.engine.nn.Conv2d;
import dev.hearth.engine.nn.Flatten;
import dev.hearth.engine.nn.Layer;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.MaxPool2d;
import dev.hearth.engine.nn.Sequential;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * A small convolutional image classifier, the classic MNIST net: conv-pool-conv-pool-conv, a
 * dense layer and the class logits, ReLU throughout.
 *
 * <pre>
 * (N, C, H, W) -> conv k×k, c1 -> relu -> maxpool 2
 *              -> conv k×k, c2 -> relu -> maxpool 2
 *              -> conv k×k, c3 -> relu -> flatten -> dense -> relu -> logits (N, classes)
 * </pre>
 */
public final class CnnClassifier extends Layer {

    /** Image size and widths; {@link #mnist()} is the MNIST configuration (32, 64, 64, dense 64). */
    public record Config(int channels, int height, int width, int classes, int conv1, int conv2, int conv3, int kernel,
                         int dense) {
        public static Config mnist() {
            return new Config(1, 28, 28, 10, 32, 64, 64, 3, 64);
        }

        /** Spatial size after the three convolutions and two poolings, or an error if the image is too small. */
        int finalSide(int side) {
            int s = ((side - kernel + 1) / 2 - kernel + 1) / 2 - kernel + 1;
            if (s < 1) {
                throw new IllegalArgumentException("images of side " + side + " are too small for three " + kernel + "x"
                        + kernel + " convolutions and two poolings");
            }
            return s;
        }
    }

    private final Config config;
    private final Sequential features;
    private final Sequential head;

    public CnnClassifier(Config c, Rng rng) {
        this.config = c;
        this.features = child("features", new Sequential(
                new Conv2d(c.channels(), c.conv1(), c.kernel(), rng), new Activation(Activation.Kind.RELU), new MaxPool2d(2),
                new Conv2d(c.conv1(), c.conv2(), c.kernel(), rng), new Activation(Activation.Kind.RELU), new MaxPool2d(2),
                new Conv2d(c.conv2(), c.conv3(), c.kernel(), rng), new Activation(Activation.Kind.RELU)));
        int flat = c.conv3() * c.finalSide(c.height()) * c.finalSide(c.width());
        this.head = child("head", new Sequential(
                new Flatten(),
                Linear.withFanInInit(flat, c.dense(), true, rng), new Activation(Activation.Kind.RELU),
                Linear.withFanInInit(c.dense(), c.classes(), true, rng)));
    }

    public Config config() {
        return config;
    }

    /** Class logits (N, classes) for images (N, channels, height, width). */
    @Override
    public Tensor forward(Tensor images) {
        if (images.rank() != 4 || images.dim(1) != config.channels() || images.dim(2) != config.height()
                || images.dim(3) != config.width()) {
            throw ShapeException.of("CnnClassifier", images.shape(), "expected images (N, " + config.channels() + ", "
                    + config.height() + ", " + config.width() + ")");
        }
        return head.forward(features.forward(images));
    }
}
