/**
 * Tomcat's fast paths: every place the transports reach past the Servlet and Jakarta WebSocket
 * APIs, resolved and checked at start-up (see {@link io.realtime.webmvc.tomcat.TomcatFastPaths}).
 */
@NullMarked
package io.realtime.webmvc.tomcat;

import org.jspecify.annotations.NullMarked;
