/**
 * The built-in message filters: each rule a Declarative Services component with its own
 * configuration PID {@code org.posthorn.filters.<rule>}, and an example of the plugin SPI.
 */
package org.posthorn.filters;
