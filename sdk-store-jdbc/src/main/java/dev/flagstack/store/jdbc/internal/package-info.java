/** Implementation details of the PostgreSQL store; not an API, may change in any release. */
package dev.flagstack.store.jdbc.internal;
