/** Building a client from flat settings: key matching, value parsing, provider lookup. Not an API. */
package dev.flagstack.internal.config;
