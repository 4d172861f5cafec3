package org.posthorn.security;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Component configuration annotations as DS would pass them, without a framework: each
 * element returns the value in the map (keyed by method name) or its declared default.
 */
public final class ConfigAnnotations {

    private ConfigAnnotations() {
    }

    public static <A extends Annotation> A of(Class<A> type, Map<String, ?> values) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + values.keySet();
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
            };
        });
        return type.cast(proxy);
    }

    public static <A extends Annotation> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
