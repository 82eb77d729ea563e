/** Implementation details of the in-process tier (its configuration provider); not a public API. */
package dev.flagstack.cache.memory.internal;
