# Scholarship programmes' names in Russian, Kazakh and Azerbaijani (issue 15,
# cooperation.translations).

import cooperation.translations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mobility', '0002_versions_and_m2m_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalscholarshipprogramme',
            name='name_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='name', verbose_name='name in other languages'),
        ),
        migrations.AddField(
            model_name='scholarshipprogramme',
            name='name_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='name', verbose_name='name in other languages'),
        ),
    ]
