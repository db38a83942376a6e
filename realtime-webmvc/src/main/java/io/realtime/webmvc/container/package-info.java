/**
 * The seam between the transports and the servlet container: the portable default and the
 * interfaces a container's fast path implements (see {@code io.realtime.webmvc.tomcat}).
 */
@NullMarked
package io.realtime.webmvc.container;

import org.jspecify.annotations.NullMarked;
