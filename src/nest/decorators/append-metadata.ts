// Metadata that stacks: each decorator adds to the list on the method.
import { SetMetadata } from '@nestjs/common';

/** Like `SetMetadata`, but adds to the list already on the method, so decorators stack. */
export function appendMetadata<T>(key: string, value: T): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const existing: T[] = Reflect.getMetadata(key, descriptor.value as object) ?? [];
    SetMetadata(key, [...existing, value])(target, propertyKey, descriptor);
  };
}
