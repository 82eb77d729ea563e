/** JMH benchmarks of the flag-read hot path, and the table printer that {@code run.sh} uses. Not published. */
package dev.flagstack.benchmarks;
