/**
 * Server side shared by every transport: publishing, authorization, connections.
 */
@NullMarked
package io.realtime.webmvc;

import org.jspecify.annotations.NullMarked;
