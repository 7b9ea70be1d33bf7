# Institutions' cities in Russian, Kazakh and Azerbaijani (issue 15, cooperation.translations).

import cooperation.translations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('universities', '0005_institution_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalinstitution',
            name='city_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='city', verbose_name='city in other languages'),
        ),
        migrations.AddField(
            model_name='institution',
            name='city_translations',
            field=cooperation.translations.TranslationsField(help_text="Shown to readers of that language; left empty, they read another language's text (Kazakh readers the Russian one first), else the English.", of='city', verbose_name='city in other languages'),
        ),
    ]
