"""The extension registry: one module per `require` capability, found by walking this
package. Nothing else names an extension: adding one means adding its module."""

from sieve.extensions.registry import Registry, all_extensions

__all__ = ["Registry", "all_extensions"]
