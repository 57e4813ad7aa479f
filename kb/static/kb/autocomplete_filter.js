// A changelist filter chosen by autocomplete (kb.admin.filters): a choice reloads the list filtered by it.
'use strict';
{
    const $ = django.jQuery;
    $(document).on('change', 'select.kb-autocomplete-filter', function() {
        const params = new URLSearchParams(window.location.search);
        params.delete(this.name);
        params.delete('p');  // the first page of the new list
        if (this.value) {
            params.set(this.name, this.value);
        }
        window.location.search = params.toString();
    });
}
