"""`rasa`, as this project runs its servers: Rasa's own command line with runtime/patches.py applied
(and checked) first. Usage: python -m runtime run --model ... (the same arguments as `rasa`)."""
import os

import settings

# Before anything loads numpy: OpenBLAS reads its thread count once, when it starts.
os.environ["OPENBLAS_NUM_THREADS"] = settings.get("MBC_BLAS_THREADS")

from runtime import patches  # noqa: E402

patches.apply()

from rasa.__main__ import main  # noqa: E402  (after the patches, as Rasa must see them)

if __name__ == "__main__":
    main()
