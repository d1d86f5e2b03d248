package dev.hearth.guard.dp;

/**
 * The exact privacy loss of one step of the Poisson-subsampled Gaussian mechanism, in one direction, and its
 * discretisation into a {@link PrivacyLossDistribution}.
 *
 * <p>With sensitivity 1 (the clipping norm, scaled out), one example's presence shifts the noisy sum by 1 with
 * probability q. Along the direction of that shift the two output distributions are
 * {@code N(0, sigma^2)} (the example absent) and the mixture {@code (1-q) N(0, sigma^2) + q N(1, sigma^2)} (present).
 * Under add-or-remove-one adjacency either can play P, so there are two directions:
 * <ul>
 *   <li>{@link Direction#REMOVE}: P = mixture, Q = N(0, sigma^2), loss
 *       {@code L(x) = log(1 - q + q exp((2x - 1)/(2 sigma^2)))}, increasing in x, bounded below by log(1-q);</li>
 *   <li>{@link Direction#ADD}: P = N(0, sigma^2), Q = mixture, loss {@code -L(x)}, decreasing, bounded above by
 *       -log(1-q).</li>
 * </ul>
 * The event {@code {loss > eps}} is a half-line in x, so every probability below is a Gaussian tail.
 *
 * <p>Discretisation by "connect the dots" (Doroshenko et al. 2022): the hockey-stick curve
 * {@code delta(eps) = P(L > eps) - e^eps Q(L > eps)} is convex as a function of {@code t = e^eps}; the
 * discrete PLD on the grid {@code eps_k = k h} whose curve is the chord through the exact values
 * {@code delta(eps_k)} (and through (t=0, delta=1) below the grid, and flat past its top) lies above the exact
 * curve everywhere, so it is pessimistic, yet it is exact at every grid point, which makes it far tighter than
 * rounding each loss up. Its masses follow from the chords' slopes; written with
 * {@code g_k = (P(bin_k) - t_k Q(bin_k)) / (t_{k+1} - t_k)}, which lies in {@code [0, Q(bin_k)]}, they are
 * {@code mass_k = t_k (Q(bin_k) - g_k + g_{k-1})}, a sum of non-negative terms, so no mass comes out of a
 * difference of nearly equal numbers.
 */
final class SubsampledGaussianLoss {

    /** Which of the neighbouring datasets' output distributions is P. */
    enum Direction {
        /** P has the example (the mixture), Q lacks it. */
        REMOVE,
        /** P lacks the example, Q has it. */
        ADD
    }

    /** Losses past this stay off the grid (their exp would overflow); what lies beyond goes to +infinity. */
    private static final double MAX_LOSS = 500;

    private final double q;
    private final double sigma;
    private final Direction direction;

    SubsampledGaussianLoss(double q, double sigma, Direction direction) {
        new SampledGaussian(q, sigma, 1); // validates q and sigma
        this.q = q;
        this.sigma = sigma;
        this.direction = direction;
    }

    /** The x at which the loss equals eps: {loss > eps} is {x > it} for REMOVE and {x < it} for ADD. */
    double threshold(double eps) {
        // REMOVE: q exp((2x-1)/(2 sigma^2)) = e^eps - (1-q);  ADD: the same with -eps.
        double r = Math.expm1(direction == Direction.REMOVE ? eps : -eps) / q;
        if (r <= -1) {
            return Double.NEGATIVE_INFINITY; // REMOVE: every x has loss > eps; ADD: none has
        }
        return sigma * sigma * Math.log1p(r) + 0.5;
    }

    /** P(loss > eps). */
    double upper(double eps) {
        double x = threshold(eps);
        return direction == Direction.REMOVE ? mixtureTail(x) : StandardNormal.cdf(x / sigma);
    }

    /** P(loss <= eps), computed directly rather than as 1 - upper. */
    double lower(double eps) {
        double x = threshold(eps);
        return direction == Direction.REMOVE ? mixtureCdf(x) : StandardNormal.tail(x / sigma);
    }

    /** Q(loss > eps). */
    double upperUnderQ(double eps) {
        double x = threshold(eps);
        return direction == Direction.REMOVE ? StandardNormal.tail(x / sigma) : mixtureCdf(x);
    }

    /** The exact hockey-stick divergence of one step: the smallest delta for which it is (eps, delta)-DP. */
    double delta(double eps) {
        return Math.max(0.0, upper(eps) - Math.exp(eps) * upperUnderQ(eps));
    }

    /** (1-q) P(N(0, sigma^2) > x) + q P(N(1, sigma^2) > x). */
    private double mixtureTail(double x) {
        return (1 - q) * StandardNormal.tail(x / sigma) + q * StandardNormal.tail((x - 1) / sigma);
    }

    /** (1-q) P(N(0, sigma^2) <= x) + q P(N(1, sigma^2) <= x). */
    private double mixtureCdf(double x) {
        return (1 - q) * StandardNormal.cdf(x / sigma) + q * StandardNormal.cdf((x - 1) / sigma);
    }

    /** The lowest grid index kept: the P-mass of losses below it is at most tail (it is moved up onto it). */
    long lowestIndex(double h, double tail) {
        double eps = -h;
        while (lower(eps) > tail && eps > -MAX_LOSS) {
            eps = Math.max(2 * eps, -MAX_LOSS);
        }
        double good = eps;
        double bad = eps / 2;
        for (int i = 0; i < 60 && bad - good > h; i++) {
            double mid = 0.5 * (good + bad);
            if (lower(mid) > tail) {
                bad = mid;
            } else {
                good = mid;
            }
        }
        return Math.max((long) Math.floor(good / h), (long) Math.ceil(-MAX_LOSS / h));
    }

    /** The highest grid index kept: the delta left above it, which becomes mass at +infinity, is at most tail. */
    long highestIndex(double h, double tail) {
        double eps = h;
        while (delta(eps) > tail && eps < MAX_LOSS) {
            eps = Math.min(2 * eps, MAX_LOSS);
        }
        double good = eps;
        double bad = eps / 2;
        for (int i = 0; i < 60 && good - bad > h; i++) {
            double mid = 0.5 * (good + bad);
            if (delta(mid) > tail) {
                bad = mid;
            } else {
                good = mid;
            }
        }
        return Math.min((long) Math.ceil(good / h), (long) Math.floor(MAX_LOSS / h));
    }

    /** The connect-the-dots PLD on the grid {@code k h} for k from lo to hi. */
    PrivacyLossDistribution discretize(double h, long lo, long hi) {
        int n = Math.toIntExact(hi - lo + 1);
        double[] mass = new double[n];
        double xPrev = threshold(lo * h);
        double gPrev = lower(lo * h) / Math.exp(lo * h);
        for (int i = 0; i < n - 1; i++) {
            double eps = (lo + i) * h;
            double t = Math.exp(eps);
            double x = threshold(eps + h);
            double qBin;
            double excess; // P(bin) - t Q(bin) = integral over the bin of q(x) (e^loss - t) >= 0
            if (direction == Direction.REMOVE) {
                qBin = StandardNormal.interval(xPrev / sigma, x / sigma);
                double q1Bin = StandardNormal.interval((xPrev - 1) / sigma, (x - 1) / sigma);
                excess = (1 - q - t) * qBin + q * q1Bin;
            } else {
                double p0 = StandardNormal.interval(x / sigma, xPrev / sigma);
                double p1 = StandardNormal.interval((x - 1) / sigma, (xPrev - 1) / sigma);
                qBin = (1 - q) * p0 + q * p1;
                excess = (1 - t * (1 - q)) * p0 - t * q * p1;
            }
            double g = Math.clamp(excess / (t * Math.expm1(h)), 0.0, qBin);
            mass[i] = t * (qBin - g + gPrev);
            gPrev = g;
            xPrev = x;
        }
        double tHi = Math.exp(hi * h);
        mass[n - 1] = tHi * (upperUnderQ(hi * h) + gPrev);
        return new PrivacyLossDistribution(h, lo, mass, delta(hi * h), 0.0);
    }
}
