package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; they are named "0", "1", ... in parameter names, as in PyTorch. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    public Sequential add(Layer layer) {
        layers.add(child(Integer.toString(layers.size()), layer));
        return this;
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Layer l : layers) {
            y = l.forward(y);
        }
        return y;
    }
}
