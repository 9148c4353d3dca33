"""A desk's own cues for suggested claims (DeskCue), and the Reviewer group's permissions to
add, change, delete and view them in the admin."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from annotations.permissions import ensure_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0021_shared_claims_roles_and_terms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeskCue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phrase', models.CharField(help_text='A literal phrase is matched as whole words in any case. A pattern is for the regex module; it may name the groups “claim” and “source”.', max_length=200)),
                ('kind', models.CharField(choices=[('literal', 'Literal phrase'), ('pattern', 'Pattern (regex module)')], default='literal', max_length=10)),
                ('role', models.CharField(choices=[('reporting-verb', 'Reporting verb (X said that Z)'), ('hedge', 'Hedge (a claim with no named source)'), ('attribution-pattern', 'Attribution (names the source after it: according to X, Z)')], default='reporting-verb', max_length=20)),
                ('language', models.CharField(choices=[('any', 'Any language'), ('en', 'English'), ('uk', 'Ukrainian'), ('ru', 'Russian')], default='any', max_length=3)),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='desk_cues', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['language', 'role', 'phrase'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['literal', 'pattern'])), name='deskcue_kind_valid'), models.CheckConstraint(condition=models.Q(('role__in', ['reporting-verb', 'hedge', 'attribution-pattern'])), name='deskcue_role_valid'), models.CheckConstraint(condition=models.Q(('language__in', ['any', 'en', 'uk', 'ru'])), name='deskcue_language_valid'), models.CheckConstraint(condition=models.Q(('phrase', ''), _negated=True), name='deskcue_phrase_not_empty'), models.UniqueConstraint(fields=('phrase', 'kind', 'role', 'language'), name='deskcue_once')],
            },
        ),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
