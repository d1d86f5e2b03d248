package dev.hearth.engine.optim;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Tensor;
import java.util.Collection;

/** Rescaling gradients so their global L2 norm stays under a limit, as PyTorch's clip_grad_norm_. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Computes the L2 norm of all gradients together (in double, parameter by parameter in
     * order) and, when it exceeds {@code maxNorm}, scales every gradient by
     * {@code maxNorm / (norm + 1e-6)}. Returns the norm before clipping; a NaN or infinite norm
     * is returned without touching the gradients so the caller can skip the step.
     */
    public static double clipGlobalNorm(Collection<Tensor> params, double maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                Tensor c = g.contiguous();
                double part = VectorMath.dot(c.numel(), c.data(), c.offset(), c.data(), c.offset());
                sq += part;
            }
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm) || norm <= maxNorm) {
            return norm;
        }
        float factor = (float) (maxNorm / (norm + 1e-6));
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    if (g.isContiguous()) {
                        g.scaleInPlace(factor);
                    } else {
                        p.setGrad(g.scale(factor));
                    }
                }
            }
        }
        return norm;
    }
}
