# Events' titles and cities in Russian, Kazakh and Azerbaijani (issue 15,
# cooperation.translations), searched through trigram indexes on PostgreSQL as the English
# ones are (0004).

import cooperation.translations
from cooperation.translations import translations_trigram_index
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0004_search_trigram'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='city_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='city', verbose_name='city in other languages'),
        ),
        migrations.AddField(
            model_name='event',
            name='title_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='title', verbose_name='title in other languages'),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='city_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='city', verbose_name='city in other languages'),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='title_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='title', verbose_name='title in other languages'),
        ),
        translations_trigram_index(
            'events_event', 'title', 'event_title_translations_trgm', ('ru', 'kk', 'az')
        ),
        translations_trigram_index(
            'events_event', 'city', 'event_city_translations_trgm', ('ru', 'kk', 'az')
        ),
    ]
