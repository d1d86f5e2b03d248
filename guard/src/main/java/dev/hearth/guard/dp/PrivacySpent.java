package dev.hearth.guard.dp;

import java.util.OptionalDouble;

/**
 * An (epsilon, delta) guarantee and how it was obtained.
 *
 * @param epsilon     the privacy loss bound; {@code +Infinity} when no finite epsilon holds at this delta
 * @param delta       the probability with which the bound may fail
 * @param method      the accountant and conversion that produced it, in words
 * @param order       for an RDP accountant, the Renyi order alpha that gave the smallest epsilon
 * @param orderAtEdge true when that order is the smallest or largest one tried, so that a wider list of
 *                    orders might give a smaller epsilon
 */
public record PrivacySpent(double epsilon, double delta, String method, OptionalDouble order, boolean orderAtEdge) {

    /** A result with no Renyi order (from a privacy-loss-distribution accountant). */
    public static PrivacySpent of(double epsilon, double delta, String method) {
        return new PrivacySpent(epsilon, delta, method, OptionalDouble.empty(), false);
    }

    /** True when a finite epsilon holds at this delta. */
    public boolean finite() {
        return Double.isFinite(epsilon);
    }
}
