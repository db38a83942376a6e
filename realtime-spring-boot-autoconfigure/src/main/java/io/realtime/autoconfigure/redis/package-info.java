/**
 * Auto-configuration of the Redis broker of {@code realtime-redis}, on Spring Boot's Redis
 * connection.
 */
@NullMarked
package io.realtime.autoconfigure.redis;

import org.jspecify.annotations.NullMarked;
