"""Background work, run by ``manage.py db_worker`` (django-tasks; settings.TASKS)."""

from django_tasks import task

from . import export_jobs, name_searches


@task()
def run_export_job(job_id: str) -> None:
    """Write an export's file (cooperation.export_jobs)."""
    export_jobs.run(job_id)


@task()
def run_name_search(search_id: str) -> None:
    """Compare an import's names with the register (cooperation.name_searches)."""
    name_searches.run(search_id)
