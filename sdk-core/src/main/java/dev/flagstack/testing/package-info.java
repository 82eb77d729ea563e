/** Test helpers for users and for Flagstack's own tests: an in-memory store that fails on cue, a clock. */
package dev.flagstack.testing;
