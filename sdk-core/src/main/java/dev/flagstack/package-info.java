/**
 * The everyday API: {@link dev.flagstack.FlagClient}, values, details, settings, exceptions and the
 * event listener. Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack;
