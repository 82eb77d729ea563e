/**
 * Micrometer metrics for a {@link dev.flagstack.FlagClient}: {@link dev.flagstack.micrometer.FlagstackMetrics}.
 * Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack.micrometer;
