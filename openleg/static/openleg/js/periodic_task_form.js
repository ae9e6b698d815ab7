"use strict";
// django-celery-beat's inline script of the periodic task form, as a file: the Content-Security-Policy allows
// no inline scripts. Shows the chosen crontab in words below the field.
(function ($) {
    const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
    const help = $(".field-crontab .help");
    const original = help.html();
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
        help.html(`${original}<br>${readable[$("#id_crontab").val()]}`);
    });
})(django.jQuery);
