/**
 * For people writing a store or a cache tier: the small, library-neutral interfaces the client calls.
 * Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack.spi;
