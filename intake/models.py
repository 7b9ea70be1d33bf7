"""What the article intake keeps: the article's text, and which sentence of it each record
cites."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperation.models import Source


class Article(models.Model):
    """The full text of a news article or press release taken in, with the source it
    became. Its hash tells a second paste of the same text from a new article."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, related_name="article", verbose_name=_("source")
    )
    text = models.TextField(_("text"))
    text_hash = models.CharField(_("hash of the text"), max_length=64, unique=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return str(self.source)


class Citation(models.Model):
    """One record of the register citing a source, with the passage of the source that
    states it: the sentence an article intake proposed the record from."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="citations", verbose_name=_("source")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    excerpt = models.TextField(_("excerpt"), help_text=_("The passage that states the record."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["source", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id"], name="citation_unique_record"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source}: {self.excerpt[:60]}"
