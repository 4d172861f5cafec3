package org.posthorn.pop3;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component's configuration annotation built from properties the way Declarative Services
 * maps them ({@code bind.address} becomes {@code bind_address()}), for tests without a
 * framework. Properties not given take the annotation's defaults.
 */
public final class ComponentConfig {

    private ComponentConfig() {
    }

    public static <A extends Annotation> A of(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String property = method.getName().replace('_', '.');
            if (properties.containsKey(property)) {
                return properties.get(property);
            }
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + properties;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> method.getDefaultValue();
            };
        }));
    }
}
