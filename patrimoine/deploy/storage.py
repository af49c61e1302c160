"""Static files in production: hashed names (cached for a year) and a gzip copy of each text file.

WhiteNoise's storage also writes Brotli copies when the `brotli` module is installed, which costs
most of `collectstatic`'s time at each upgrade; nginx from Debian serves the `.gz` copies
(`gzip_static`) and not the `.br` ones, so only gzip is produced.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(**{**kwargs, "use_brotli": False})
