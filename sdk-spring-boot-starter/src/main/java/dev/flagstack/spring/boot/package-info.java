/**
 * Spring Boot 3 auto-configuration: a {@link dev.flagstack.FlagClient} bean built from the
 * {@code flagstack.*} properties, and the {@link dev.flagstack.spring.boot.FlagClientBuilderCustomizer} hook.
 */
package dev.flagstack.spring.boot;
