"""Deleting products and product models (`DELETE /api/rest/v1/products/{code}`, `/products-uuid/{uuid}`,
`/product-models/{code}`, and the control endpoints), like Akeneo: links to what was deleted leave
the associations of everything else, and a product model goes with everything below it (its
sub-models and their variant products), as deleting a model in the PIM does.
"""
from __future__ import annotations

from sandbox.akeneo.state import AkeneoState, ProductRecord


def delete_product(state: AkeneoState, record: ProductRecord) -> None:
    _remove_products(state, {record.uuid})
    _forget_links(state, {record.uuid}, set())
    state.forget_tree()
    state.touch()


def delete_model(state: AkeneoState, code: str) -> tuple[list[str], list[str]]:
    """Delete the model `code` and everything below it; returns (model codes, product uuids) deleted,
    the models from the top down, the products after them."""
    models, products, stack = [], [], [code]
    while stack:
        current = stack.pop(0)
        models.append(current)
        sub_models, variants = state.children_of(current)
        stack.extend(sorted(sub_models))
        products.extend(sorted(variants))
    _remove_products(state, set(products))
    for model in models:
        del state.product_models[model]
    _forget_links(state, set(products), set(models))
    state.forget_tree()
    state.touch()
    return models, products


def _remove_products(state: AkeneoState, uuids: set[str]) -> None:
    for key in uuids:
        record = state.products.pop(key)
        if record.identifier is not None and state.identifiers.get(record.identifier) == key:
            del state.identifiers[record.identifier]


def _forget_links(state: AkeneoState, uuids: set[str], codes: set[str]) -> None:
    """Associations and quantified associations of the remaining entities lose the deleted ones."""
    if not uuids and not codes:
        return
    for entity in [*state.products.values(), *state.product_models.values()]:
        for links in entity.associations.values():
            if "products" in links:
                links["products"] = [key for key in links["products"] if key not in uuids]
            if "product_models" in links:
                links["product_models"] = [key for key in links["product_models"] if key not in codes]
        for links in entity.quantified_associations.values():
            if "products" in links:
                links["products"] = [link for link in links["products"] if link["uuid"] not in uuids]
            if "product_models" in links:
                links["product_models"] = [link for link in links["product_models"]
                                           if link["identifier"] not in codes]
