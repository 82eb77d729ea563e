/**
 * An OpenFeature provider over a {@link dev.flagstack.FlagClient}: {@link dev.flagstack.openfeature.FlagstackProvider}.
 * Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack.openfeature;
