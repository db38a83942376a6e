/**
 * The Redis broker: history in Redis Streams, fan-out between application instances through
 * Redis pub/sub.
 */
@NullMarked
package io.realtime.redis;

import org.jspecify.annotations.NullMarked;
