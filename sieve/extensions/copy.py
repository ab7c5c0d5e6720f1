"""RFC 3894: copy. `:copy` on `fileinto` and `redirect` keeps the implicit keep in force,
so the message is delivered as usual as well as filed or forwarded."""

from sieve.extensions.spec import Extension, Tag

COPY = (Tag("copy"),)

EXTENSION = Extension(
    capability="copy",
    summary="RFC 3894: :copy on fileinto and redirect",
    # RFC 3894: `fileinto [:copy] <folder: string>` and
    # `redirect [:copy] <address: string>`. fileinto still needs its own require.
    extra_tags=(("fileinto", COPY), ("redirect", COPY)),
)
