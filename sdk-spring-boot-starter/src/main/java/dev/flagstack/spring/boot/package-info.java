/**
 * Spring Boot 3 auto-configuration: a {@link dev.flagstack.FlagClient} bean built from the
 * {@code flagstack.*} properties, the {@link dev.flagstack.spring.boot.FlagClientBuilderCustomizer} hook, the
 * {@code flagstack} Actuator health component and the Micrometer binding.
 */
package dev.flagstack.spring.boot;
