/**
 * Auto-configuration of the Redis broker.
 */
@NullMarked
package io.realtime.redis.autoconfigure;

import org.jspecify.annotations.NullMarked;
