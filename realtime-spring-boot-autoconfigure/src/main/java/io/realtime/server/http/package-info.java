/**
 * HTTP transports: publish, poll, long poll and Server-Sent Events.
 */
@NullMarked
package io.realtime.server.http;

import org.jspecify.annotations.NullMarked;
