"""The project's number formats (settings.FORMAT_MODULE_PATH), read before Django's own for the language.

Django's Simplified Chinese formats group digits with no separator, so ``intcomma`` showed 2000000.00: here
money reads 2,000,000.00 in Chinese as in English. Only what asks for grouping (``intcomma``, ``money_text``)
gets separators: USE_THOUSAND_SEPARATOR stays off, so years, ids and the values of form inputs never do.
"""
