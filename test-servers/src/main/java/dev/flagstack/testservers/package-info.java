/**
 * Test-only: JUnit 5 extensions that provide real Redis and MongoDB servers to integration tests, from
 * an environment URI, Testcontainers, or a local server started on a free loopback port.
 */
package dev.flagstack.testservers;
