/**
 * Broker contract, the in-memory broker and cursors. Knows nothing of Spring Boot.
 */
@NullMarked
package io.realtime.core;

import org.jspecify.annotations.NullMarked;
