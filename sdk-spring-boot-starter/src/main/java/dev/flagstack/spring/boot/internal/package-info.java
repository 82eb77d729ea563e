/** Implementation details of the starter (collecting properties from the Environment); not an API. */
package dev.flagstack.spring.boot.internal;
