/**
 * HTTP transports: publish, poll, long poll and Server-Sent Events.
 */
@NullMarked
package io.realtime.webmvc.http;

import org.jspecify.annotations.NullMarked;
