/**
 * Server side shared by every transport: publishing, authorization, connections.
 */
@NullMarked
package io.realtime.server;

import org.jspecify.annotations.NullMarked;
