/** Implementation details of the in-process tier (its entries, refresh hand-off and configuration provider); not a public API. */
package dev.flagstack.cache.memory.internal;
