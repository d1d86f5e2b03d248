package dev.hearth.guard.dp;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Renyi differential privacy (Mironov 2017) for the Poisson-subsampled Gaussian mechanism, the accountant
 * of Abadi et al.'s moments method as TF Privacy and Opacus compute it.
 *
 * <p>One step has RDP {@code log(A_alpha) / (alpha - 1)} at order alpha, where (Mironov, Talwar and Zhang,
 * "Renyi Differential Privacy of the Sampled Gaussian Mechanism", 2019)
 * {@code A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]}. For integer
 * alpha the binomial expansion is a finite sum,
 * {@code A_alpha = sum_{i=0..alpha} C(alpha, i) (1-q)^(alpha-i) q^i exp((i^2 - i) / (2 sigma^2))}; for
 * fractional alpha the integral is split at {@code z0 = sigma^2 log(1/q - 1) + 1/2}, where the two terms
 * of the mixture are equal, and each side expanded in the smaller term's ratio, giving two convergent
 * series of Gaussian tail probabilities (section 3.3 of the paper). Everything is summed in log space, the
 * positive and negative terms of the fractional series apart, so orders up to 63 and noise as low as 0.3
 * neither overflow nor cancel. With {@code q = 1} the mechanism is the plain Gaussian, whose RDP is
 * {@code alpha / (2 sigma^2)}. RDP adds up over steps and over phases.
 *
 * <p>Two conversions to (epsilon, delta) are offered, each minimised over the orders:
 * <ul>
 *   <li>{@link Conversion#CLASSIC}: {@code eps = RDP(alpha) + log(1/delta) / (alpha - 1)} (Mironov 2017,
 *       Proposition 3), the figure TF Privacy's tutorials and Opacus's examples publish;</li>
 *   <li>{@link Conversion#BALLE_2020}: {@code eps = RDP(alpha) + log((alpha-1)/alpha)
 *       - (log delta + log alpha) / (alpha - 1)} (Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis
 *       testing interpretations and Renyi differential privacy", 2020, Theorem 21), never larger and
 *       what TF Privacy's {@code compute_eps} uses now.</li>
 * </ul>
 */
public final class RdpAccountant implements PrivacyAccountant {

    /** How an RDP curve becomes an (epsilon, delta) guarantee. */
    public enum Conversion {
        CLASSIC("classic conversion eps = RDP + log(1/delta)/(alpha-1) (Mironov 2017)"),
        BALLE_2020("conversion of Balle et al. 2020, eps = RDP + log(1-1/alpha) - log(delta*alpha)/(alpha-1)");

        private final String description;

        Conversion(String description) {
            this.description = description;
        }

        /** The formula and its source, for reports. */
        public String description() {
            return description;
        }
    }

    /** The fractional series converges like i^-(alpha+2); this many terms is past any practical case. */
    private static final int MAX_SERIES_TERMS = 5_000_000;

    /** Opacus's default orders: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
    public static final List<Double> DEFAULT_ORDERS = defaultOrders();

    private final double[] orders;
    private final Conversion conversion;

    /** The default orders with the given conversion. */
    public RdpAccountant(Conversion conversion) {
        this(DEFAULT_ORDERS, conversion);
    }

    /** These orders (each > 1) with the given conversion. */
    public RdpAccountant(List<Double> orders, Conversion conversion) {
        if (orders == null || orders.isEmpty()) {
            throw new DpException("no Renyi orders given: pass orders > 1 such as RdpAccountant.DEFAULT_ORDERS");
        }
        this.orders = new double[orders.size()];
        for (int i = 0; i < this.orders.length; i++) {
            double a = orders.get(i);
            if (!(a > 1) || Double.isInfinite(a)) {
                throw new DpException("Renyi orders must be finite numbers > 1, got " + a);
            }
            this.orders[i] = a;
        }
        this.conversion = conversion;
    }

    @Override
    public String name() {
        return "rdp";
    }

    /** The conversion this accountant uses. */
    public Conversion conversion() {
        return conversion;
    }

    /** The orders this accountant tries, in the order given. */
    public List<Double> orders() {
        List<Double> list = new ArrayList<>(orders.length);
        for (double a : orders) {
            list.add(a);
        }
        return List.copyOf(list);
    }

    /** The RDP of the phases composed, one value per order (in the order of {@link #orders()}). */
    public double[] rdp(List<SampledGaussian> phases) {
        PrivacyAccountant.checkPhases(phases);
        double[] total = new double[orders.length];
        for (SampledGaussian p : phases) {
            for (int i = 0; i < orders.length; i++) {
                total[i] += p.steps() * rdp(p.sampleRate(), p.noiseMultiplier(), orders[i]);
            }
        }
        return total;
    }

    @Override
    public PrivacySpent epsilon(List<SampledGaussian> phases, double delta) {
        PrivacyAccountant.checkDelta(delta);
        double[] rdp = rdp(phases);
        double best = Double.POSITIVE_INFINITY;
        int bestIndex = -1;
        for (int i = 0; i < orders.length; i++) {
            double eps = convert(rdp[i], orders[i], delta, conversion);
            if (eps < best) {
                best = eps;
                bestIndex = i;
            }
        }
        String method = "RDP accountant, " + conversion.description();
        if (bestIndex < 0) {
            return new PrivacySpent(Double.POSITIVE_INFINITY, delta, method, OptionalDouble.empty(), false);
        }
        double order = orders[bestIndex];
        boolean edge = order == min(orders) || order == max(orders);
        return new PrivacySpent(Math.max(0.0, best), delta, method, OptionalDouble.of(order), edge);
    }

    /** The epsilon that RDP {@code rdp} at order {@code alpha} gives at this delta, by one conversion. */
    static double convert(double rdp, double alpha, double delta, Conversion conversion) {
        if (Double.isNaN(rdp) || rdp == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        return switch (conversion) {
            case CLASSIC -> rdp - Math.log(delta) / (alpha - 1);
            case BALLE_2020 -> rdp + Math.log1p(-1.0 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
        };
    }

    /**
     * The RDP at order {@code alpha > 1} of one step of the Gaussian mechanism with noise multiplier
     * {@code sigma}, applied to a Poisson sample with rate {@code q}.
     */
    public static double rdp(double q, double sigma, double alpha) {
        new SampledGaussian(q, sigma, 1); // validates q and sigma
        if (!(alpha > 1) || Double.isInfinite(alpha)) {
            throw new DpException("a Renyi order must be a finite number > 1, got " + alpha);
        }
        if (q == 1.0) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE
                ? logAIntegerOrder(q, sigma, (int) alpha)
                : logAFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log A_alpha for integer alpha: a finite binomial sum, in log space. */
    static double logAIntegerOrder(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double[] terms = new double[alpha + 1];
        double logBinom = 0; // log C(alpha, 0)
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log(alpha - i + 1) - Math.log(i);
            }
            terms[i] = logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoVar;
        }
        return logSumExp(terms, terms.length);
    }

    /**
     * log A_alpha for fractional alpha: the two series of Mironov, Talwar and Zhang (2019), section 3.3.
     * Term i of the first is {@code C(alpha,i) (1-q)^(alpha-i) q^i exp((i^2-i)/(2 sigma^2)) P(N(i, sigma^2) <= z0)},
     * of the second {@code C(alpha,i) q^(alpha-i) (1-q)^i exp((j^2-j)/(2 sigma^2)) P(N(j, sigma^2) > z0)} with
     * {@code j = alpha - i}. Past {@code i > alpha} the binomial coefficients alternate in sign; positive and
     * negative terms are summed apart and subtracted once at the end.
     */
    static double logAFractionalOrder(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        LogSum positive = new LogSum();
        LogSum negative = new LogSum();
        double logAbsBinom = 0; // log |C(alpha, 0)|
        int sign = 1;
        for (int i = 0; i < MAX_SERIES_TERMS; i++) {
            if (i > 0) {
                double factor = alpha - i + 1;
                logAbsBinom += Math.log(Math.abs(factor)) - Math.log(i);
                if (factor < 0) {
                    sign = -sign;
                }
            }
            double j = alpha - i;
            double logS0 = logAbsBinom + i * logQ + j * log1mQ + ((double) i * i - i) / twoVar
                    + StandardNormal.logTail((i - z0) / sigma);
            double logS1 = logAbsBinom + j * logQ + i * log1mQ + (j * j - j) / twoVar
                    + StandardNormal.logTail((z0 - j) / sigma);
            LogSum into = sign > 0 ? positive : negative;
            into.add(logS0);
            into.add(logS1);
            // Past alpha + 1 the signs alternate and the magnitudes fall (like i^-(alpha+2)), so the error of
            // stopping is below the next term: stop once that is under the sum's last bit (e^-37 < 1e-16).
            if (i > alpha + 1 && Math.max(logS0, logS1) < positive.value() - 37) {
                return positive.minus(negative);
            }
        }
        throw new DpException("the RDP series at order " + alpha + " did not converge in " + MAX_SERIES_TERMS
                + " terms (q=" + q + ", sigma=" + sigma + "): use integer orders for such low noise");
    }

    /** A running log(sum of exp(x)) that keeps its largest term apart to stay exact. */
    private static final class LogSum {
        private double max = Double.NEGATIVE_INFINITY;
        private double scaled; // sum of exp(x - max)

        void add(double x) {
            if (x == Double.NEGATIVE_INFINITY) {
                return;
            }
            if (x <= max) {
                scaled += Math.exp(x - max);
            } else {
                scaled = scaled * Math.exp(max - x) + 1.0;
                max = x;
            }
        }

        double value() {
            return max == Double.NEGATIVE_INFINITY ? max : max + Math.log(scaled);
        }

        /** log(exp(this) - exp(other)); the difference is positive for A_alpha. */
        double minus(LogSum other) {
            double a = value();
            double b = other.value();
            if (b == Double.NEGATIVE_INFINITY) {
                return a;
            }
            if (!(b < a)) {
                throw new DpException("the RDP series lost its precision (negative terms outweigh the positive):"
                        + " use integer orders");
            }
            return a + Math.log1p(-Math.exp(b - a));
        }
    }

    private static double logSumExp(double[] x, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[i] - max);
        }
        return max + Math.log(s);
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static List<Double> defaultOrders() {
        List<Double> list = new ArrayList<>();
        for (int x = 1; x < 100; x++) {
            list.add(1 + x / 10.0);
        }
        for (int a = 12; a < 64; a++) {
            list.add((double) a);
        }
        return List.copyOf(list);
    }
}
