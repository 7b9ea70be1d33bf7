# Agreements' titles in Russian, Kazakh and Azerbaijani (issue 15, cooperation.translations),
# searched through a trigram index on PostgreSQL as the English title is (0010).

import cooperation.translations
from cooperation.translations import translations_trigram_index
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('universities', '0004_search_trigram'),
        ('agreements', '0010_search_trigram'),
    ]

    operations = [
        migrations.AddField(
            model_name='agreement',
            name='title_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='title', verbose_name='title in other languages'),
        ),
        migrations.AddField(
            model_name='historicalagreement',
            name='title_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='title', verbose_name='title in other languages'),
        ),
        translations_trigram_index(
            'agreements_agreement', 'title', 'agreement_title_translations_trgm', ('ru', 'kk', 'az')
        ),
    ]
